package io.blockferry.config;

import io.blockferry.events.Causes;

import io.blockferry.BlockferryException;

/** Configuration that cannot work, with a message that names the key and the fix. */
public class ConfigurationException extends BlockferryException {
    public ConfigurationException(String message) {
        super(message);
    }

    @Override
    public Causes failureCause() {
        return Causes.CONFIGURATION_INVALID;
    }
}
