package io.blockferry.source;

import io.blockferry.BlockferryException;
import io.blockferry.events.Causes;
import io.blockferry.events.ChainBreak;

/**
 * A backend found, while listing changes, that the incremental's base cannot serve any more (HCS:
 * the array snapshot behind the base is gone although EVS still lists it). Like a failed diff
 * verification, the generation is abandoned and a full resync follows, with this cause.
 */
public class ChainBrokenException extends BlockferryException {

    private final Causes chainBreak;

    public ChainBrokenException(String message, Causes chainBreak) {
        super(message);
        if (!ChainBreak.isChainBreak(chainBreak.wire())) {
            throw new IllegalArgumentException(chainBreak.wire() + " is not a chain-break cause");
        }
        this.chainBreak = chainBreak;
    }

    @Override
    public Causes failureCause() {
        return chainBreak;
    }
}
