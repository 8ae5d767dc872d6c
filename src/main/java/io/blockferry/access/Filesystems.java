package io.blockferry.access;

import static io.blockferry.access.HostCommands.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A disk's partitions and filesystems as util-linux and the kernel see them: the partition table
 * (GPT or MBR) by {@code partx}, a filesystem's type by {@code blkid}, and the read-only mount of
 * each type that replays no journal and writes nothing.
 */
final class Filesystems {

    private Filesystems() {
    }

    /** The partitions partx finds: {number, offset, size} in bytes; empty when the disk has no table. */
    static List<long[]> partitions(Path disk) {
        String out;
        try {
            out = run(List.of("partx", "--show", "--noheadings", "--bytes", "--output", "NR,START,SECTORS", disk.toString()));
        } catch (AccessException e) {
            return List.of();
        }
        List<long[]> table = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3) {
                table.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]) * 512, Long.parseLong(f[2]) * 512});
            }
        }
        return table;
    }

    static String blkidType(String device) {
        try {
            return run(List.of("blkid", "-p", "-o", "value", "-s", "TYPE", device)).strip();
        } catch (AccessException e) {
            return "";
        }
    }

    static List<String> mountCommand(String type, String device, Path mount) {
        return switch (type) {
            case "ext3", "ext4" -> List.of("mount", "-t", type, "-o", "ro,noload", device, mount.toString());
            // nouuid: two points of one volume hold the same filesystem UUID, which XFS otherwise mounts once
            case "xfs" -> List.of("mount", "-t", "xfs", "-o", "ro,norecovery,nouuid", device, mount.toString());
            case "ntfs" -> List.of("ntfs-3g", "-o", "ro", device, mount.toString());
            default -> List.of("mount", "-t", type, "-o", "ro", device, mount.toString());
        };
    }
}
