package io.blockferry.inventory;

/** A Cinder volume type; backendName is its volume_backend_name extra spec, or null. */
public record VolumeType(String id, String name, String backendName) {
}
