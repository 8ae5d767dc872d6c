package io.blockferry.security;

import io.blockferry.events.Causes;
import io.blockferry.transport.MalformedRecordException;

/**
 * A record that fails its authentication: unsigned while keys are configured, signed with a key
 * this process does not have, or with a signature that does not match. It is dead-lettered with an
 * event and never applied or obeyed. The message names the key id, never a key.
 */
public class UnauthenticatedRecordException extends MalformedRecordException {

    public UnauthenticatedRecordException(String message, Causes cause) {
        super(message, cause);
    }
}
