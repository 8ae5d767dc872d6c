package io.blockferry.source;

/**
 * A volume's identity: {@code [scheme:]pool/name}. The scheme names a configured source backend
 * ({@code blockferry.backends.<name>}); without one the volume is on the default RBD backend, so
 * the ids of earlier releases ({@code volumes/volume-1}), their Kafka keys, repository directories
 * and policy patterns stay exactly as they were. The text form is canonical: the default backend's
 * scheme is never written.
 */
public record VolumeId(String scheme, String pool, String name) {

    /** The backend of ids without a scheme: the RBD cluster of {@code blockferry.ceph.*}. */
    public static final String DEFAULT_SCHEME = "rbd";

    public VolumeId {
        if (scheme == null || scheme.isBlank()) {
            scheme = DEFAULT_SCHEME;
        }
        if (!scheme.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("'" + scheme + "' is not a backend name: use lower-case letters, "
                    + "digits and '-', starting with a letter");
        }
        if (pool == null || pool.isBlank() || name == null || name.isBlank()) {
            throw new IllegalArgumentException("a volume needs a pool and a name, as [backend:]pool/name");
        }
    }

    /**
     * Reads {@code pool/name} or {@code scheme:pool/name}; a colon after the first slash is part of
     * the name, so only a leading {@code scheme:} is one.
     */
    public static VolumeId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a volume id is missing: write it as [backend:]pool/name");
        }
        String rest = text.trim();
        String scheme = null;
        int colon = rest.indexOf(':');
        int slash = rest.indexOf('/');
        if (colon > 0 && (slash < 0 || colon < slash)) {
            scheme = rest.substring(0, colon);
            rest = rest.substring(colon + 1);
            slash = rest.indexOf('/');
        }
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not a volume id: write it as [backend:]pool/name, "
                    + "for example volumes/volume-1 or dr:volumes/volume-1");
        }
        return new VolumeId(scheme, rest.substring(0, slash).trim(), rest.substring(slash + 1).trim());
    }

    public boolean defaultScheme() {
        return DEFAULT_SCHEME.equals(scheme);
    }

    /** {@code pool/name} on the default backend, {@code scheme:pool/name} on any other. */
    @Override
    public String toString() {
        return (defaultScheme() ? "" : scheme + ":") + pool + "/" + name;
    }
}
