package io.blockferry.config;

/** Configuration that cannot work, with a message that names the key and the fix. */
public class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message);
    }
}
