package io.blockferry.inventory;

import io.blockferry.events.Causes;

/** Why a server or disk is skipped: stable codes that events and metrics carry. */
public final class SkipReason {

    public static final String SERVER_SUSPENDED = Causes.SERVER_SUSPENDED.wire();
    public static final String SERVER_PAUSED = Causes.SERVER_PAUSED.wire();
    public static final String SERVER_ERROR = Causes.SERVER_ERROR.wire();
    public static final String SERVER_SHELVED = Causes.SERVER_SHELVED.wire();
    public static final String SERVER_MIGRATING = Causes.SERVER_MIGRATING.wire();
    public static final String SERVER_RESIZING = Causes.SERVER_RESIZING.wire();
    public static final String VOLUME_ENCRYPTED = Causes.VOLUME_ENCRYPTED.wire();
    public static final String VOLUME_TYPE_UNMAPPED = Causes.VOLUME_TYPE_UNMAPPED.wire();
    /** Nova lists the volume as attached, but Cinder did not show it to us (another project's). */
    public static final String VOLUME_NOT_VISIBLE = Causes.VOLUME_NOT_VISIBLE.wire();
    /** HCS: the disk's Dorado LUN is not on the array logged in to, or not the one EVS names. */
    public static final String VOLUME_LUN_UNVERIFIED = Causes.VOLUME_LUN_UNVERIFIED.wire();

    private SkipReason() {
    }
}
