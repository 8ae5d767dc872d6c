package io.blockferry.inventory;

/** A Nova keypair the polling user can see (its own); the public key is not secret and restores it. */
public record Keypair(String name, String userId, String type, String fingerprint, String publicKey) {
}
