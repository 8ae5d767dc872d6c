package io.blockferry.inventory;

import java.time.Instant;
import java.util.List;

/** Hand-built inventory values for the unit tests. */
final class Fixtures {

    static final Flavor SMALL = new Flavor("f1", "bf.small", 1, 512, 1);

    private Fixtures() {
    }

    static Server server(String id, String status, String taskState, BootSource boot, ServerVolume... volumes) {
        return new Server(id, "vm-" + id, "p1", status, taskState, "node1", SMALL.id(), SMALL.name(), List.of(),
                List.of(volumes), boot, "/dev/vda");
    }

    static Server active(String id, BootSource boot, ServerVolume... volumes) {
        return server(id, "ACTIVE", null, boot, volumes);
    }

    static Volume volume(String id, String type, long sizeGb, String serverId, String device) {
        List<VolumeAttachment> attachments = serverId == null ? List.of() : List.of(new VolumeAttachment(serverId, device));
        return new Volume(id, "vol-" + id, "p1", serverId == null ? "available" : "in-use", type, sizeGb, false, false,
                "cinder@ceph-ssd#ceph-ssd", null, attachments);
    }

    static Volume bootVolume(String id, String type, long sizeGb, String serverId) {
        Volume v = volume(id, type, sizeGb, serverId, "/dev/vda");
        return new Volume(v.id(), v.name(), v.projectId(), v.status(), v.type(), v.sizeGb(), true, false, v.host(),
                null, v.attachments());
    }

    static Inventory inventory(List<Server> servers, List<Volume> volumes) {
        return new Inventory(Instant.parse("2025-01-01T00:00:00Z"), servers, volumes, List.of(), List.of(SMALL));
    }
}
