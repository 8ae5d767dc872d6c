package io.blockferry.consumer;

import java.io.IOException;

/**
 * What a consumer does with each generation the target committed, in order per volume: a full
 * generation replaces the volume (grown or shrunk to its size; what no extent covers reads as
 * zeros), an incremental applies onto the generation whose snapshot is its base. When it returns,
 * the generation counts as applied (the consumer remembers it durably); when it throws, it is
 * tried again at the next start.
 */
@FunctionalInterface
public interface GenerationHandler {

    void apply(Generation generation) throws IOException;
}
