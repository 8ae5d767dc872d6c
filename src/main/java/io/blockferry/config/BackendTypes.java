package io.blockferry.config;

/** The source backend types {@code blockferry.backends.<name>.type} may name. */
public final class BackendTypes {

    public static final String RBD = "rbd";
    public static final String[] NAMES = {RBD};

    private BackendTypes() {
    }
}
