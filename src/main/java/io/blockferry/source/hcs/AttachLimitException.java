package io.blockferry.source.hcs;

import io.blockferry.events.Causes;
import io.blockferry.source.SourceBusyException;

/**
 * The proxy has no free disk slot ({@code attachableQuantity.free_disk} is 0, or HCS answered
 * {@code Ecs.0042}): the sync goes back to the queue rather than failing.
 */
public class AttachLimitException extends SourceBusyException {

    public AttachLimitException(String message) {
        super(message, Causes.ATTACH_LIMIT);
    }
}
