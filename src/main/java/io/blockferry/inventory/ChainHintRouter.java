package io.blockferry.inventory;

import io.blockferry.events.ChainBreak;
import io.blockferry.source.ChainHints;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Hands the chain-break hints of inventory changes to the sync pipeline, keyed by the RBD image
 * the pipeline syncs ({@code pool/image}), and says what follows for the change's event.
 */
final class ChainHintRouter {

    private final ChainHints hints;
    private final DiskMapper mapper;
    private final boolean resyncOnMigration;

    ChainHintRouter(ChainHints hints, DiskMapper mapper, boolean resyncOnMigration) {
        this.hints = hints;
        this.mapper = mapper;
        this.resyncOnMigration = resyncOnMigration;
    }

    /** The images a change concerns; each gets the hint. Returns them for the event. */
    Set<String> route(InventoryChange change, Inventory before, Inventory now) {
        Set<String> images = new LinkedHashSet<>();
        String cause = change.chainBreakHint().orElse(null);
        if (change.volumeId() != null) {
            // A retype may have moved the volume to another pool: both images get the hint.
            before.volume(change.volumeId()).flatMap(mapper::imageSpec).ifPresent(images::add);
            now.volume(change.volumeId()).flatMap(mapper::imageSpec).ifPresent(images::add);
        } else if (change instanceof InventoryChange.ServerHostChanged moved && resyncOnMigration) {
            cause = ChainBreak.SERVER_MIGRATED;
            now.server(moved.serverId()).ifPresent(server ->
                    mapper.mapServer(server, now).disksOf(server.id()).forEach(d -> images.add(d.imageSpec())));
        }
        if (cause != null) {
            for (String image : images) {
                hints.note(image, cause, change.describe());
            }
        }
        return cause == null ? Set.of() : images;
    }

    static String consequence(InventoryChange change, Set<String> hinted) {
        if (hinted.isEmpty()) {
            return null;
        }
        String cause = change.chainBreakHint().orElse(ChainBreak.SERVER_MIGRATED);
        return "the next sync of " + String.join(", ", hinted) + " is a full resync (" + cause + ")";
    }
}
