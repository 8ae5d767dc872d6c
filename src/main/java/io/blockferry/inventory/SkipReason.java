package io.blockferry.inventory;

/** Why a server or disk is skipped: stable codes that events and metrics carry. */
public final class SkipReason {

    public static final String SERVER_SUSPENDED = "server-suspended";
    public static final String SERVER_PAUSED = "server-paused";
    public static final String SERVER_ERROR = "server-error";
    public static final String SERVER_SHELVED = "server-shelved";
    public static final String SERVER_MIGRATING = "server-migrating";
    public static final String SERVER_RESIZING = "server-resizing";
    public static final String VOLUME_ENCRYPTED = "volume-encrypted";
    public static final String VOLUME_TYPE_UNMAPPED = "volume-type-unmapped";
    /** Nova lists the volume as attached, but Cinder did not show it to us (another project's). */
    public static final String VOLUME_NOT_VISIBLE = "volume-not-visible";

    private SkipReason() {
    }
}
