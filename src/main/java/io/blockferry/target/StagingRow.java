package io.blockferry.target;

import io.blockferry.transport.ChunkRecord;

/** The durable part of a generation being staged: enough to resume it after a writer restart. */
record StagingRow(ChunkRecord.Begin begin, long nextSeq, long diffLength, long manifestLength, long dataChunks,
                  long zeroChunks, long dataBytes, long zeroBytes, String failureCause, String failureReason,
                  long receivedAtMillis) {
}
