package io.blockferry.demo;

import io.blockferry.demo.BenchOptions.BrokerMode;

/** A replica's SHA-256 against its source snapshot's, read through librbd. */
record ReplicaCheck(BrokerMode broker, String volume, String snapshot, String sourceSha, String replicaSha) {

    boolean identical() {
        return sourceSha.equals(replicaSha);
    }
}
