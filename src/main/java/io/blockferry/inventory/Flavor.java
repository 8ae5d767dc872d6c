package io.blockferry.inventory;

/** A Nova flavor; diskGb sizes an image-booted server's root disk. */
public record Flavor(String id, String name, int vcpus, int ramMb, int diskGb) {
}
