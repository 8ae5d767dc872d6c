package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.events.Causes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot's data made visible to the proxy (spec §3.4-3.5): a disk created from the snapshot
 * (a job), attached to the proxy's own server (a job), and found as a device file. It is named and
 * tagged as Blockferry's ({@link #NAME_PREFIX}, {@link #MARKER}) so a start after a crash can find
 * and remove it. Whatever step fails, what was already done is undone before the error is thrown.
 */
final class TemporaryDisk implements AutoCloseable {

    static final String NAME_PREFIX = "blockferry-temporary-";
    /** Metadata on every temporary disk: the backend's name. */
    static final String MARKER = "blockferry_temporary_disk";
    /** Metadata: the proxy server it is for. */
    static final String PROXY = "blockferry_proxy";

    private static final Logger LOG = LoggerFactory.getLogger(TemporaryDisk.class);

    private final HcsApi api;
    private final HcsSettings settings;
    private final String volumeId;
    private final String what;
    private boolean attached;
    private Path device;

    private TemporaryDisk(HcsApi api, HcsSettings settings, String volumeId, String what) {
        this.api = api;
        this.settings = settings;
        this.volumeId = volumeId;
        this.what = what;
    }

    /**
     * @param snapshot the EVS snapshot (available)
     * @param source   the EVS disk it was taken of (its AZ and type)
     */
    static TemporaryDisk expose(HcsApi api, HcsSettings settings, JsonNode snapshot, JsonNode source) {
        String snapshotId = snapshot.path("id").asText();
        String what = "the temporary disk of snapshot " + snapshot.path("name").asText() + " (" + snapshotId + ")";
        requireHeadroom(api, settings, what);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(MARKER, settings.name());
        metadata.put(PROXY, settings.proxyServerId());
        String job = api.createVolumeFromSnapshot(snapshotId, source, NAME_PREFIX + snapshotId, metadata);
        String volumeId;
        try {
            volumeId = api.awaitJob(HcsApi.Service.EVS, job, "creating " + what).path("volume_id").asText("");
        } catch (HcsJobFailedException e) {
            // the job named its disk from the start: delete what it made, or leave it to the start-up clean-up
            String made = e.entities().path("volume_id").asText("");
            if (!made.isEmpty()) {
                new TemporaryDisk(api, settings, made, what + " " + made).closeQuietly(e);
            }
            throw e;
        }
        if (volumeId.isEmpty()) {
            throw new HcsException("creating " + what + ": the job succeeded without entities.volume_id",
                    Causes.HCS_ERROR);
        }
        TemporaryDisk disk = new TemporaryDisk(api, settings, volumeId, what + " " + volumeId);
        try {
            disk.attach();
            disk.device = disk.findDevice(source);
            return disk;
        } catch (RuntimeException e) {
            disk.closeQuietly(e);
            throw e;
        }
    }

    /** The attach headroom, read before attaching (spec §1.6): none left is the queue's business. */
    private static void requireHeadroom(HcsApi api, HcsSettings settings, String what) {
        JsonNode quantity = api.blockDevices(settings.proxyServerId()).path("attachableQuantity");
        if (quantity.has("free_disk") && quantity.path("free_disk").asInt() <= 0) {
            throw new AttachLimitException("the proxy " + settings.proxyServerId() + " has no free disk slot "
                    + "(attachableQuantity.free_disk is 0) for " + what);
        }
    }

    private void attach() {
        String job = api.attach(settings.proxyServerId(), volumeId);
        attached = true;
        api.awaitJob(HcsApi.Service.ECS, job, "attaching " + what + " to the proxy " + settings.proxyServerId());
    }

    /**
     * The device file of the disk: HCS's {@code device} ({@code /dev/vdb}) may differ inside the
     * guest, so it is found by the disk's serial (virtio) or its LUN's WWN (SCSI) [I].
     */
    private Path findDevice(JsonNode source) {
        JsonNode volume = api.findVolume(volumeId).orElseThrow(() -> new HcsException(what + " vanished after its "
                + "attach", Causes.HCS_ERROR));
        boolean scsi = "true".equalsIgnoreCase(volume.path("metadata").path("hw:passthrough").asText(
                source.path("metadata").path("hw:passthrough").asText("false")));
        String name = switch (settings.deviceNaming()) {
            case VIRTIO -> virtio(volumeId);
            case SCSI_WWN -> wwn(volume);
            case AUTO -> scsi ? wwn(volume) : virtio(volumeId);
        };
        Path path = settings.deviceDir().resolve(name);
        long deadline = System.nanoTime() + settings.jobTimeout().toNanos();
        // udev creates the link a moment after the attach job ends
        while (!Files.exists(path)) {
            if (System.nanoTime() > deadline) {
                throw new HcsException(what + " is attached, but " + path + " did not appear within "
                        + settings.jobTimeout().toSeconds() + " s: check blockferry.backends." + settings.name()
                        + ".device-dir and .device-naming", Causes.HCS_ERROR);
            }
            LockSupport.parkNanos(settings.pollInterval().toNanos());
        }
        return path;
    }

    private static String virtio(String volumeId) {
        return "virtio-" + volumeId.substring(0, Math.min(20, volumeId.length()));
    }

    private String wwn(JsonNode volume) {
        String wwn = volume.path("metadata").path("lun_wwn").asText("");
        if (wwn.isEmpty()) {
            throw new HcsException(what + " has no metadata.lun_wwn to find its SCSI device by", Causes.HCS_ERROR);
        }
        return "wwn-0x" + wwn;
    }

    Path device() {
        return device;
    }

    String volumeId() {
        return volumeId;
    }

    /** Detaches the disk from the proxy and deletes it, each step awaited. */
    @Override
    public void close() {
        if (attached) {
            String job = api.detach(settings.proxyServerId(), volumeId);
            if (job != null) {
                api.awaitJob(HcsApi.Service.ECS, job, "detaching " + what);
            }
            attached = false;
        }
        String job = api.deleteVolume(volumeId);
        if (job != null) {
            api.awaitJob(HcsApi.Service.EVS, job, "deleting " + what);
        }
    }

    /** Undoes what it can after a failure; what is left is found by the next start's clean-up. */
    private void closeQuietly(RuntimeException failure) {
        try {
            close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
            LOG.warn("HCS backend {}: could not remove {} after a failure ({}); the next start removes it",
                    settings.name(), what, e.getMessage());
        }
    }
}
