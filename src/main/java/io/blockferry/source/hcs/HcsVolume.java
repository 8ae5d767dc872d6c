package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.events.Causes;
import io.blockferry.source.BlockReader;
import io.blockferry.source.ChainBrokenException;
import io.blockferry.source.ChangedBlocks;
import io.blockferry.source.SnapshotLimitException;
import io.blockferry.source.SourceVolume;
import io.blockferry.source.VolumeId;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * An EVS disk on Dorado. Its snapshots are EVS snapshots, found by name; each maps to an array
 * snapshot through {@code provider_auth.lun_id}, and the disk to its LUN through
 * {@code driver_data.lun_id}, checked against {@code metadata.lun_wwn} (spec §2.4). The size is the
 * LUN's own (512-byte sectors), since EVS rounds sizes up to whole GiB.
 */
final class HcsVolume implements SourceVolume {

    /** Metadata on every snapshot Blockferry makes: the backend's name. */
    static final String SNAPSHOT_MARKER = "blockferry_snapshot";

    private final HcsApi api;
    private final DoradoSession dorado;
    private final HcsSettings settings;
    private final VolumeId id;
    private final JsonNode volume;
    private final LunLink link;
    private final ActivationGroups activations;

    HcsVolume(HcsApi api, DoradoSession dorado, HcsSettings settings, VolumeId id, ActivationGroups activations) {
        this.api = api;
        this.dorado = dorado;
        this.settings = settings;
        this.id = id;
        this.link = new LunLink(dorado, settings);
        this.activations = activations;
        if (!id.pool().equals(settings.projectId())) {
            throw new HcsException(id + " is not in project " + settings.projectId() + ", the project of backend "
                    + settings.name() + ": write HCS volume ids as " + settings.name() + ":<project id>/<disk id>",
                    Causes.IMAGE_NOT_FOUND);
        }
        this.volume = api.findVolume(id.name()).orElseThrow(() -> new HcsException("the disk " + id.name()
                + " does not exist in project " + id.pool() + " (" + id + ")", Causes.IMAGE_NOT_FOUND));
    }

    @Override
    public VolumeId id() {
        return id;
    }

    /** The LUN's WWN: a disk deleted and made again has another LUN. */
    @Override
    public String identity() {
        String wwn = volume.path("metadata").path("lun_wwn").asText("");
        return wwn.isEmpty() ? "lun-" + lun().path("ID").asText() : wwn;
    }

    @Override
    public long size() {
        return sectors(lun(), "CAPACITY", "LUN of " + id);
    }

    @Override
    public List<String> snapshots() {
        return live().stream().map(s -> s.path("name").asText()).toList();
    }

    /** The snapshots that count: not those on their way out. */
    private List<JsonNode> live() {
        return api.snapshotsOf(id.name()).stream().filter(s -> !s.path("status").asText().startsWith("deleting"))
                .toList();
    }

    @Override
    public void createSnapshot(String name) {
        List<JsonNode> existing = live();
        if (existing.size() >= settings.snapshotLimit()) {
            throw SnapshotLimitException.platformLimit(id.toString(), existing.size(), limitAdvice());
        }
        HcsHttp.Reply reply = api.createSnapshot(id.name(), name, Map.of(SNAPSHOT_MARKER, settings.name()));
        if (!reply.ok() && settings.snapshotLimitCodes().contains(HcsApi.errorCode(reply.body()))) {
            throw SnapshotLimitException.platformLimit(id.toString(), existing.size(), "EVS refused another snapshot ("
                    + HcsApi.errorCode(reply.body()) + ": " + HcsApi.errorMessage(reply.body()) + "); " + limitAdvice());
        }
        String snapshotId = api.check(reply, "creating snapshot " + name + " of " + id).path("snapshot").path("id")
                .asText();
        String status = awaitSnapshot(snapshotId, name);
        if (status.equals("available")) {
            activateIfLeftUnactivated(snapshotId, name);
            return;
        }
        if (status.equals("error")) {
            api.deleteSnapshot(snapshotId, name + " (" + snapshotId + ", in error)");
            if (existing.size() + 1 >= settings.snapshotLimit()) {
                throw SnapshotLimitException.platformLimit(id.toString(), existing.size(), "the snapshot ended in "
                        + "error at the platform's limit; " + limitAdvice());
            }
            throw new HcsException("snapshot " + name + " of " + id + " ended in error on HCS (removed); see the "
                    + "snapshot's events in the HCS console", Causes.HCS_ERROR);
        }
    }

    /**
     * HCS normally activates the array snapshot itself (RUNNINGSTATUS 43); an installation set to
     * leave it unactivated (45) for consistent multi-disk points [I] gets it activated here, with
     * the snapshots of the server's other disks in one call: the point in time is then that call.
     */
    private void activateIfLeftUnactivated(String snapshotId, String name) {
        JsonNode snapshot = api.findSnapshot(snapshotId).orElseThrow(() -> new HcsException("snapshot " + name
                + " of " + id + " vanished right after it was made", Causes.HCS_ERROR));
        if (UNACTIVATED.equals(arraySnapshot(snapshot, name).path("RUNNINGSTATUS").asText())) {
            String server = serverId().orElse(null);
            java.util.Set<String> disks = new java.util.HashSet<>();
            if (server != null) {
                api.blockDevices(server).path("volumeAttachments").forEach(a -> disks.add(a.path("volumeId").asText()));
            }
            activations.activate(server, disks, id.name(), lunOf(snapshot), name + " of " + id);
        }
    }

    /** Dorado's RUNNINGSTATUS of a snapshot that holds no point in time yet. */
    private static final String UNACTIVATED = "45";

    private String limitAdvice() {
        return "remove snapshots of disk " + id.name() + " that are no longer needed in the HCS console (128 per disk, "
                + "foreign ones included), or set blockferry.backends." + settings.name() + ".snapshot-limit";
    }

    /** Waits while the snapshot is {@code creating}; its final status. */
    private String awaitSnapshot(String snapshotId, String name) {
        long deadline = System.nanoTime() + settings.jobTimeout().toNanos();
        while (true) {
            String status = api.findSnapshot(snapshotId).map(s -> s.path("status").asText()).orElse("gone");
            if (!status.equals("creating")) {
                if (status.equals("available") || status.equals("error")) {
                    return status;
                }
                throw new HcsException("snapshot " + name + " of " + id + " is " + status + " right after it was "
                        + "made", Causes.HCS_ERROR);
            }
            if (System.nanoTime() > deadline) {
                throw new HcsJobFailedException("snapshot " + name + " of " + id + " is still creating after "
                        + settings.jobTimeout().toSeconds() + " s (blockferry.backends." + settings.name()
                        + ".job-timeout)", null);
            }
            LockSupport.parkNanos(settings.pollInterval().toNanos());
        }
    }

    @Override
    public void removeSnapshot(String name) {
        JsonNode snapshot = snapshot(name);
        api.deleteSnapshot(snapshot.path("id").asText(), name + " of " + id);
    }

    @Override
    public BlockReader readerAt(String snapshot) {
        JsonNode s = snapshot(snapshot);
        if (!s.path("status").asText().equals("available")) {
            throw new HcsException("snapshot " + snapshot + " of " + id + " is " + s.path("status").asText()
                    + ", not available", Causes.HCS_ERROR);
        }
        long size = sectors(arraySnapshot(s, snapshot), "USERCAPACITY", "snapshot " + snapshot + " of " + id);
        TemporaryDisk disk = TemporaryDisk.expose(api, settings, s, volume);
        try {
            return new DeviceReader(disk, size, id + "@" + snapshot);
        } catch (RuntimeException e) {
            try {
                disk.close();
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    @Override
    public ChangedBlocks changes(String fromSnapshot, String toSnapshot) {
        JsonNode to = snapshot(toSnapshot);
        JsonNode toLun = arraySnapshot(to, toSnapshot);
        long size = sectors(toLun, "USERCAPACITY", "snapshot " + toSnapshot + " of " + id);
        long chunk = chunkSize(toLun, toSnapshot);
        String base = null;
        if (fromSnapshot != null) {
            if (fromSnapshot.equals(toSnapshot)) {
                return new DoradoChangedBlocks(dorado, settings, lunOf(to), null, 0, chunk, "nothing");
            }
            JsonNode from = live().stream().filter(s -> s.path("name").asText().equals(fromSnapshot)).findFirst()
                    .orElseThrow(() -> new ChainBrokenException("the base snapshot " + fromSnapshot + " of " + id
                            + " is gone", Causes.BASE_SNAPSHOT_MISSING));
            base = lunOf(from);
            try {
                arraySnapshot(from, fromSnapshot);
            } catch (DoradoException e) {
                if (e.missing()) {
                    throw new ChainBrokenException("the array no longer has the base snapshot " + fromSnapshot + " of "
                            + id + " (LUN " + base + ") although HCS lists it", Causes.BASE_SNAPSHOT_MISSING);
                }
                throw e;
            }
        }
        return new DoradoChangedBlocks(dorado, settings, lunOf(to), base, size, chunk,
                (base == null ? "allocated blocks of " : "changes from " + fromSnapshot + " to ") + toSnapshot + " of "
                        + id);
    }

    private long chunkSize(JsonNode arraySnapshot, String name) {
        String text = arraySnapshot.path(settings.chunkSizeField()).asText("");
        try {
            long chunk = Long.parseLong(text);
            if (chunk > 0 && chunk % 512 == 0) {
                return chunk;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new HcsException("the array snapshot of " + name + " has no chunk size in field '"
                + settings.chunkSizeField() + "' (got '" + text + "'): set blockferry.backends." + settings.name()
                + ".chunk-size-field to the field the array reports (README, HCS and Dorado)", Causes.HCS_ERROR);
    }

    /** The EVS snapshot called {@code name}; the error names it when there is none. */
    private JsonNode snapshot(String name) {
        List<JsonNode> named = live().stream().filter(s -> s.path("name").asText().equals(name)).toList();
        if (named.isEmpty()) {
            throw new HcsException("disk " + id + " has no snapshot '" + name + "'", Causes.IMAGE_NOT_FOUND);
        }
        // a foreign snapshot may share the name: Blockferry's own wins
        return named.stream().filter(s -> s.path("metadata").has(SNAPSHOT_MARKER)).findFirst().orElse(named.get(0));
    }

    /** The array snapshot behind an EVS snapshot. */
    private JsonNode arraySnapshot(JsonNode snapshot, String name) {
        return dorado.get("snapshot/" + lunOf(snapshot), "reading the array snapshot of " + name + " of " + id);
    }

    private String lunOf(JsonNode snapshot) {
        return providerField(snapshot.path("provider_auth"), "snapshot " + snapshot.path("name").asText());
    }

    /** The disk's LUN, checked: its WWN must be the one EVS shows, on the array logged in to. */
    private JsonNode lun() {
        return link.lunOfDisk(volume, "disk " + id.name() + " (" + id + ")");
    }

    private String providerField(JsonNode text, String what) {
        return link.lunId(text, what);
    }

    private static long sectors(JsonNode object, String field, String what) {
        try {
            return Long.parseLong(object.path(field).asText()) * 512;
        } catch (NumberFormatException e) {
            throw new HcsException(what + " has no " + field + " (512-byte sectors)", Causes.HCS_ERROR);
        }
    }

    @Override
    public void close() {
        // nothing is held open between calls
    }

    /** The EVS detail this volume was opened with. */
    JsonNode detail() {
        return volume;
    }

    Optional<String> serverId() {
        JsonNode attachments = volume.path("attachments");
        return attachments.size() == 0 ? Optional.empty() : Optional.of(attachments.get(0).path("server_id").asText());
    }
}
