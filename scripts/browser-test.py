#!/usr/bin/env python3
"""Load every page of a running `platformsim serve` in headless Chromium (Playwright).

Checks, as a reader would meet them:
- each page loads (HTTP status below 400) with no console errors and no page errors;
- every link on every page leads somewhere (no 4xx/5xx), SVG chart links included;
- each chart (`svg.chart`) has a labelled x axis and y axis;
- the compare pages show both runs, and both experiments with overlaid timelines.
Screenshots of the main pages go to the screenshot folder (CI artefacts).

Usage: browser-test.py BASE_URL SCREENSHOT_DIR [--readme-screenshot FILE]
Uses the system Chromium (PLATFORMSIM_CHROMIUM, else /usr/bin/chromium): Playwright's own
browser download is not needed. Prints "N passed, M failed" and exits 1 on a failure.
"""
import os
import sys
from collections import deque
from urllib.parse import urljoin, urlparse

from playwright.sync_api import sync_playwright

MAX_PAGES = 80          # pages visited by the crawl (links beyond are still checked)
PER_TEMPLATE = 4        # pages visited per route shape, e.g. /runs/N/deployments/N


def shape(path):
    return "/".join("N" if part.isdigit() else part for part in path.split("/"))


def main():
    base, shots = sys.argv[1].rstrip("/"), sys.argv[2]
    readme = sys.argv[sys.argv.index("--readme-screenshot") + 1] if "--readme-screenshot" in sys.argv else None
    os.makedirs(shots, exist_ok=True)
    chromium = os.environ.get("PLATFORMSIM_CHROMIUM", "/usr/bin/chromium")
    passed, failures = 0, []

    def check(condition, message):
        nonlocal passed
        if condition:
            passed += 1
        else:
            failures.append(message)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))

        link_status = {}
        seen_shapes = {}
        queue = deque(["/", "/experiments", "/compare/runs", "/compare/experiments"])
        visited = set()
        while queue and len(visited) < MAX_PAGES:
            path = queue.popleft()
            if path in visited:
                continue
            key = shape(urlparse(path).path)
            if seen_shapes.get(key, 0) >= PER_TEMPLATE:
                continue
            seen_shapes[key] = seen_shapes.get(key, 0) + 1
            visited.add(path)
            errors.clear()
            response = page.goto(base + path, wait_until="load")
            status = response.status if response else 0
            check(status < 400, f"{path}: HTTP {status}")
            check(not errors, f"{path}: console errors {errors}")
            charts = page.locator("svg.chart")
            for index in range(charts.count()):
                chart = charts.nth(index)
                title = chart.get_attribute("aria-label") or f"chart {index}"
                x = chart.locator(".axis-title.x")
                y = chart.locator(".axis-title.y")
                check(x.count() == 1 and x.first.text_content().strip() != "", f"{path}: '{title}' has no x-axis label")
                check(y.count() == 1 and y.first.text_content().strip() != "", f"{path}: '{title}' has no y-axis label")
            hrefs = page.eval_on_selector_all(
                "a[href], svg a", "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href'))")
            for href in hrefs:
                if not href or href.startswith("#") or href.startswith("mailto:"):
                    continue
                url = urljoin(base + path, href)
                if urlparse(url).netloc != urlparse(base).netloc:
                    failures.append(f"{path}: link leaves the site: {href}")
                    continue
                target = urlparse(url).path + (("?" + urlparse(url).query) if urlparse(url).query else "")
                if target not in link_status:
                    link_status[target] = context.request.get(base + target).status
                check(link_status[target] < 400, f"{path}: link {href} answers {link_status[target]}")
                if not target.startswith("/api/") and target not in visited:
                    queue.append(target)

        # The compare page shows both runs.
        runs = context.request.get(base + "/api/runs").json()["runs"]
        if len(runs) >= 2:
            a, b = runs[-1]["run"]["id"], runs[-2]["run"]["id"]
            errors.clear()
            page.goto(f"{base}/compare/runs?a={a}&b={b}", wait_until="load")
            table = page.locator("table.compare-runs")
            check(table.locator(f'a[href="/runs/{a}"]').count() == 1, "compare: run A is not shown")
            check(table.locator(f'a[href="/runs/{b}"]').count() == 1, "compare: run B is not shown")
            check(page.locator("svg.chart").count() >= 3, "compare: the overlaid timeline and histograms are missing")
            check(not errors, f"compare: console errors {errors}")
            page.screenshot(path=os.path.join(shots, "compare-runs.png"), full_page=True)
        else:
            failures.append("compare: the database needs two runs")

        # The compare page of two experiments shows both, with intervals and overlaid timelines.
        experiments = context.request.get(base + "/api/experiments").json()["experiments"]
        if len(experiments) >= 2:
            a, b = experiments[-1]["id"], experiments[-2]["id"]
            errors.clear()
            page.goto(f"{base}/compare/experiments?a={a}&b={b}", wait_until="load")
            table = page.locator("table.compare-experiments")
            check(table.locator(f'a[href="/experiments/{a}"]').count() == 1, "compare experiments: A is not shown")
            check(table.locator(f'a[href="/experiments/{b}"]').count() == 1, "compare experiments: B is not shown")
            check(page.locator("h2", has_text="Timelines overlaid").count() == 1, "compare experiments: no overlaid timelines")
            check(page.locator("svg.chart").count() >= 2, "compare experiments: the charts are missing")
            check(not errors, f"compare experiments: console errors {errors}")
            page.screenshot(path=os.path.join(shots, "compare-experiments.png"), full_page=True)
        else:
            failures.append("compare experiments: the database needs two experiments")

        for name, path in [("runs", "/"), ("experiments", "/experiments")]:
            page.goto(base + path, wait_until="load")
            page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)
        if runs:
            first = runs[-1]["run"]["id"]
            page.goto(f"{base}/runs/{first}", wait_until="load")
            page.screenshot(path=os.path.join(shots, "run.png"), full_page=True)
            if readme:
                page.set_viewport_size({"width": 1200, "height": 1000})
                page.goto(f"{base}/runs/{first}", wait_until="load")
                page.screenshot(path=readme, full_page=False)
        if experiments:
            page.goto(f"{base}/experiments/{experiments[-1]['id']}", wait_until="load")
            page.screenshot(path=os.path.join(shots, "experiment.png"), full_page=True)
        browser.close()

    print(f"browser: visited {len(visited)} pages, checked {len(link_status)} link targets; screenshots in {shots}")
    for failure in failures:
        print("FAIL " + failure)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
