package io.blockferry.source.hcs;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One HCS region on one Dorado array, as {@code blockferry.backends.<name>.*} configures it (the
 * README's "HCS and Dorado" lists every key). The settings marked [I] follow what
 * {@code hcs-dorado-api.md} infers where no public source settles a fact: a real installation checks
 * them once (the README says how) and sets them here.
 *
 * @param name              the backend's name: the scheme of its volume ids, and a marker on its temporary disks
 * @param projectId         the project whose disks are synced (the pool of the volume ids)
 * @param proxyServerId     the ECS server Blockferry runs on: temporary disks are attached to it
 * @param deviceDir         where the proxy sees attached disks ({@code /dev/disk/by-id})
 * @param caFile            the CA that signed the APIG's and the array's certificates, or null for the JVM's
 * @param requestTimeout    one HTTP request's limit
 * @param jobTimeout        how long a job, a snapshot or a device may take
 * @param pollInterval      the pause between two looks at a job or a snapshot
 * @param snapshotLimit     snapshots per disk the platform allows (128): an {@code error} snapshot at the limit is the limit
 * @param snapshotLimitCodes [I] EVS error codes that mean "the disk has too many snapshots"
 * @param bitmapSegmentBytes the longest lun_bitmap segment asked for (256 MiB)
 * @param bitmapEncoding    [I] how CHUNKBITMAP is written
 * @param msbFirst          [I] chunk 0 is the high bit of byte 0 (false: the low bit)
 * @param chunkSizeField    [I] the field of {@code GET snapshot/{id}} that holds the chunk size in bytes
 * @param clipLastChunk     [I] the last segment ends at the LUN's end (false: it is padded to a whole chunk)
 * @param deviceNaming      [I] how the proxy names an attached disk under {@code deviceDir}
 */
public record HcsSettings(String name, URI iamUrl, URI ecsUrl, URI evsUrl, URI doradoUrl, String domain, String user,
                          Secret password, String projectId, String doradoUser, Secret doradoPassword,
                          String proxyServerId, Path deviceDir, Path caFile, Duration requestTimeout,
                          Duration jobTimeout, Duration pollInterval, int snapshotLimit,
                          List<String> snapshotLimitCodes, long bitmapSegmentBytes, BitmapEncoding bitmapEncoding,
                          boolean msbFirst, String chunkSizeField, boolean clipLastChunk, DeviceNaming deviceNaming) {

    /** The most a lun_bitmap call covers, as Huawei's own client pages (spec §0.2). */
    public static final long MAX_SEGMENT_BYTES = 256L << 20;

    public HcsSettings {
        snapshotLimitCodes = List.copyOf(snapshotLimitCodes);
        if (bitmapSegmentBytes <= 0 || bitmapSegmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("the bitmap segment must be 1 byte to 256 MiB");
        }
    }

    /** [I] The CHUNKBITMAP encodings the spec considers (§2.7). */
    public enum BitmapEncoding { BASE64, HEX, BITCHARS }

    /** [I] How a guest names an attached disk (spec §3.5). */
    public enum DeviceNaming {
        /** {@code virtio-<first 20 characters of the volume id>}. */
        VIRTIO,
        /** {@code wwn-0x<lun_wwn>}. */
        SCSI_WWN,
        /** SCSI WWN for {@code hw:passthrough=true} disks, virtio for the others. */
        AUTO
    }

    /** The settings with another proxy server (tests, and a second proxy in one project). */
    public HcsSettings withProxy(String serverId) {
        return new HcsSettings(name, iamUrl, ecsUrl, evsUrl, doradoUrl, domain, user, password, projectId, doradoUser,
                doradoPassword, serverId, deviceDir, caFile, requestTimeout, jobTimeout, pollInterval, snapshotLimit,
                snapshotLimitCodes, bitmapSegmentBytes, bitmapEncoding, msbFirst, chunkSizeField, clipLastChunk,
                deviceNaming);
    }

    /** The settings with another job timeout (tests of attaches that never end). */
    public HcsSettings withJobTimeout(Duration timeout) {
        return new HcsSettings(name, iamUrl, ecsUrl, evsUrl, doradoUrl, domain, user, password, projectId, doradoUser,
                doradoPassword, proxyServerId, deviceDir, caFile, requestTimeout, timeout, pollInterval, snapshotLimit,
                snapshotLimitCodes, bitmapSegmentBytes, bitmapEncoding, msbFirst, chunkSizeField, clipLastChunk,
                deviceNaming);
    }

    /** The settings with other [I] bitmap choices (calibration against an array, tests of each choice). */
    public HcsSettings withBitmap(long segmentBytes, BitmapEncoding encoding, boolean msbFirst, boolean clipLast) {
        return new HcsSettings(name, iamUrl, ecsUrl, evsUrl, doradoUrl, domain, user, password, projectId, doradoUser,
                doradoPassword, proxyServerId, deviceDir, caFile, requestTimeout, jobTimeout, pollInterval,
                snapshotLimit, snapshotLimitCodes, segmentBytes, encoding, msbFirst, chunkSizeField, clipLast,
                deviceNaming);
    }

    @Override
    public String toString() {
        return "HcsSettings[" + name + ", project " + projectId + ", IAM user " + user + "@" + domain + " at " + iamUrl
                + ", Dorado user " + doradoUser + " at " + doradoUrl + ", proxy " + proxyServerId + "]";
    }
}
