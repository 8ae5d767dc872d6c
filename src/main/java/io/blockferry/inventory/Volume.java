package io.blockferry.inventory;

import java.util.List;

/**
 * A Cinder volume as polled.
 *
 * @param type            the volume type name; null or empty when the volume has none
 * @param host            the Cinder backend host (host@backend#pool), or null for non-admins
 * @param migrationStatus Cinder's migration status, or null when it never migrated
 */
public record Volume(String id, String name, String projectId, String status, String type, long sizeGb,
                     boolean bootable, boolean encrypted, String host, String migrationStatus,
                     List<VolumeAttachment> attachments) {

    public Volume {
        attachments = List.copyOf(attachments);
    }
}
