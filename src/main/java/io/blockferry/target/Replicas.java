package io.blockferry.target;

/** Chooses each volume's {@link Replica}, by the target's configuration. */
@FunctionalInterface
public interface Replicas {

    Replica of(String volumeId);
}
