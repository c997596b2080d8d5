import Policies

/// Checkpoint-interval theory lives in `Policies` (the Young/Daly built-in uses it);
/// the model and its tests keep using the name they always had.
public typealias CheckpointMath = Policies.CheckpointMath
