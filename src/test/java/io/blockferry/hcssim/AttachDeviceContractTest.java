package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data path of the reference design (hcs-dorado-api.md §3 steps 4-7): a disk cloned from a
 * snapshot, attached to the proxy, appears as a read-only device file named by the guest
 * device-matching rule, holding exactly the snapshot's bytes; detaching removes it.
 */
class AttachDeviceContractTest {

    static HcsSim sim;

    @BeforeAll
    static void start() {
        sim = HcsSim.start();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void reset() {
        sim.reset();
    }

    private static byte[] readAt(FileChannel ch, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, offset + buf.position());
            if (n < 0) {
                break;
            }
        }
        return buf.array();
    }

    @Test
    void should_expose_an_attached_clone_as_a_read_only_device_file_with_the_snapshot_bytes() throws Exception {
        long size = 48 * HcsSim.MIB + 4096;
        JsonNode vm = sim.server("prod-1", Map.of("data_volumes", List.of(Map.of("size_bytes", size))));
        String src = vm.at("/volumes/1/id").asText();
        sim.writeOp(src, Bitmaps.raw(0, 5 << 20, 21));
        sim.writeOp(src, Bitmaps.raw(size - 8192, 8192, 22));
        String snap = sim.snapshot(src);
        sim.writeOp(src, Bitmaps.raw(1 << 20, 1 << 20, 23)); // the guest keeps writing
        String clone = sim.cloneDisk(snap, "az0.dc0");
        JsonNode job = sim.attach(sim.proxyServerId, clone);
        assertEquals("SUCCESS", job.get("status").asText(), job.toString());

        Path dev = sim.deviceDir.resolve("virtio-" + clone.substring(0, 20));
        assertTrue(Files.exists(dev), "device file " + dev);
        Path target = dev.toRealPath();
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(size, Files.size(target));
        JsonNode att = sim.ecs("GET", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/block_device/" + clone, null).json();
        assertEquals("/dev/vdb", att.at("/volumeAttachment/device").asText());
        try (FileChannel ch = FileChannel.open(dev, StandardOpenOption.READ)) {
            assertEquals(size, ch.size());
            for (long off : new long[] {0, 4096, (1 << 20) - 100, 3 << 20, size - 8192, size - 1}) {
                int len = (int) Math.min(65536, size - off);
                assertArrayEquals(sim.data("snapshots", snap, off, len), readAt(ch, off, len), "bytes at " + off);
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long pos = 0;
            while (pos < size) {
                buf.clear();
                int n = ch.read(buf, pos);
                buf.flip();
                md.update(buf);
                pos += n;
            }
            assertEquals(sim.sha("snapshots", snap), HexFormat.of().formatHex(md.digest()));
        }
        assertFalse(sim.sha("volumes", src).equals(sim.sha("snapshots", snap)));
        JsonNode listed = sim.control("GET", "/attachments", null).get("attachments");
        boolean found = false;
        for (JsonNode a : listed) {
            if (a.get("volume_id").asText().equals(clone)) {
                assertEquals(dev.toString(), a.get("device_file").asText());
                found = true;
            }
        }
        assertTrue(found, listed.toString());

        assertEquals("SUCCESS", sim.detach(sim.proxyServerId, clone).get("status").asText());
        assertFalse(Files.exists(dev, java.nio.file.LinkOption.NOFOLLOW_LINKS), "detach removes the device file");
    }

    @Test
    void should_name_passthrough_disks_by_wwn_and_follow_the_naming_setting() {
        JsonNode vm = sim.server("scsi-1", Map.of("data_volumes",
                List.of(Map.of("size_gb", 1, "metadata", Map.of("hw:passthrough", "true")))));
        String src = vm.at("/volumes/1/id").asText();
        String clone = sim.cloneDisk(sim.snapshot(src), "az0.dc0");
        JsonNode v = sim.evs("GET", "/v2/{p}/cloudvolumes/" + clone, null).json().get("volume");
        assertEquals("true", v.at("/metadata/hw:passthrough").asText(), "the clone keeps the source's device type");
        sim.attach(sim.proxyServerId, clone);
        Path byWwn = sim.deviceDir.resolve("wwn-0x" + v.at("/metadata/lun_wwn").asText());
        assertTrue(Files.exists(byWwn), byWwn.toString());
        JsonNode att = sim.ecs("GET", "/v1/{p}/cloudservers/" + sim.proxyServerId + "/block_device/" + clone, null).json();
        assertEquals("scsi", att.at("/volumeAttachment/bus").asText());
        assertEquals("/dev/sda", att.at("/volumeAttachment/device").asText());
        sim.detach(sim.proxyServerId, clone);
        sim.settings(Map.of("device_naming", "virtio"));
        sim.attach(sim.proxyServerId, clone);
        assertTrue(Files.exists(sim.deviceDir.resolve("virtio-" + clone.substring(0, 20))));
        assertFalse(Files.exists(byWwn));
    }

    @Test
    void should_create_device_files_only_for_the_proxy() throws IOException {
        JsonNode other = sim.server("other", Map.of());
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        sim.attach(other.at("/server/id").asText(), vol);
        try (var files = Files.list(sim.deviceDir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(1, names.size(), "only the proxy's own boot disk: " + names);
            assertTrue(names.get(0).startsWith("virtio-"));
        }
    }
}
