package io.blockferry.ops;

/**
 * A volume measured against its recovery-point objective, as the API, the page and the metrics show it.
 *
 * @param rpoSeconds      the age of its newest acked recovery point; while it has none, how long it has been
 *                        watched without one
 * @param lastAckedAt     when its newest recovery point was acked (ISO-8601 UTC), or null if none yet
 * @param breachedSince   when the current breach began (ISO-8601 UTC), or null when within the objective
 */
public record RpoStatus(String volumeId, String policy, long objectiveSeconds, long rpoSeconds, String lastAckedAt,
                        boolean breached, String breachedSince) {
}
