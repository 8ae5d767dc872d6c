package io.blockferry.transport;

/** Whether a generation carries the whole image or only what changed since its base snapshot. */
public enum SyncMode {
    FULL,
    INCREMENTAL
}
