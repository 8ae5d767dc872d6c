package io.blockferry.inventory;

import java.util.Locale;
import java.util.Optional;

/**
 * Which servers and volumes cannot be synced now. A suspended or paused guest's disks are not
 * being written but may hold unflushed state; an errored one may be half built; a shelved one has
 * no disk of its own until unshelved; a migrating or resizing one is moving its disks. Encrypted
 * volumes would be copied as ciphertext whose key we do not manage, so they are unsupported.
 */
public final class SkipRules {

    public Optional<Skipped> server(Server server) {
        String status = upper(server.status());
        String task = server.taskState() == null ? "" : server.taskState().toLowerCase(Locale.ROOT);
        String reason = switch (status) {
            case "SUSPENDED" -> SkipReason.SERVER_SUSPENDED;
            case "PAUSED" -> SkipReason.SERVER_PAUSED;
            case "ERROR" -> SkipReason.SERVER_ERROR;
            case "SHELVED", "SHELVED_OFFLOADED" -> SkipReason.SERVER_SHELVED;
            case "MIGRATING" -> SkipReason.SERVER_MIGRATING;
            case "RESIZE", "VERIFY_RESIZE", "REVERT_RESIZE" -> SkipReason.SERVER_RESIZING;
            default -> null;
        };
        if (reason == null && task.equals("migrating")) {
            reason = SkipReason.SERVER_MIGRATING;
        }
        if (reason == null && task.startsWith("resize_")) {
            reason = SkipReason.SERVER_RESIZING;
        }
        if (reason == null) {
            return Optional.empty();
        }
        return Optional.of(new Skipped(server.id(), null, reason, "server " + server.name() + " (" + server.id()
                + ") is skipped: status " + server.status() + (server.taskState() == null ? "" : ", task " + server.taskState())
                + "; it is synced again once it is back to ACTIVE or SHUTOFF with no task"));
    }

    public Optional<Skipped> volume(String serverId, Volume volume) {
        if (volume.encrypted()) {
            return Optional.of(new Skipped(serverId, volume.id(), SkipReason.VOLUME_ENCRYPTED, "volume "
                    + volume.id() + " of server " + serverId + " is encrypted (type " + volume.type()
                    + "), which Blockferry does not support; it is not synced"));
        }
        return Optional.empty();
    }

    private static String upper(String value) {
        return value == null ? "" : value.toUpperCase(Locale.ROOT);
    }
}
