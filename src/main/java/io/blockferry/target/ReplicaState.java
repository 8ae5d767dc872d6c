package io.blockferry.target;

/**
 * What a volume's replica holds: the point {@code generation} (0: none yet), and the point being
 * applied to it ({@code applying}, 0 when none). An incremental may be applied only when the
 * replica holds its base or is already being brought to it. {@code valid} is false when the
 * replica no longer matches any point (its file lost, an apply failed half way); {@code detail}
 * says why, and the next full generation replaces it.
 */
public record ReplicaState(String volumeId, long generation, long applying, boolean valid, String detail) {
}
