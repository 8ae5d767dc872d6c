package io.blockferry.inventory;

import java.util.Map;

/** A Nova flavor; diskGb sizes an image-booted server's root disk; extraSpecs are restored with it. */
public record Flavor(String id, String name, int vcpus, int ramMb, int diskGb, Map<String, String> extraSpecs) {

    public Flavor {
        extraSpecs = extraSpecs == null ? Map.of() : Map.copyOf(extraSpecs);
    }

    public Flavor(String id, String name, int vcpus, int ramMb, int diskGb) {
        this(id, name, vcpus, ramMb, diskGb, Map.of());
    }
}
