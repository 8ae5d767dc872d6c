package io.blockferry.source;

/**
 * Where a volume's blocks live: an RBD image in a pool. Its text form {@code pool/image} is also
 * the volume id of a volume given by its RBD name.
 */
public record VolumeRef(String pool, String image) {

    public VolumeRef {
        if (pool == null || pool.isBlank() || image == null || image.isBlank()) {
            throw new IllegalArgumentException("a volume needs a pool and an image name, as pool/image");
        }
    }

    public static VolumeRef parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not an RBD volume: write it as pool/image");
        }
        return new VolumeRef(text.substring(0, slash).trim(), text.substring(slash + 1).trim());
    }

    @Override
    public String toString() {
        return pool + "/" + image;
    }
}
