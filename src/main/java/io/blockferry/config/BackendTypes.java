package io.blockferry.config;

/** The source backend types {@code blockferry.backends.<name>.type} may name. */
public final class BackendTypes {

    public static final String RBD = "rbd";
    /** Huawei Cloud Stack 8.0.2 on OceanStor Dorado (source/hcs). */
    public static final String HCS = "hcs";
    public static final String[] NAMES = {RBD, HCS};

    private BackendTypes() {
    }
}
