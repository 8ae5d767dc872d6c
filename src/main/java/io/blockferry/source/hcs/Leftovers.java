package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the temporary disks an earlier run of this proxy left (a crash, a job that never ended, a
 * detach that failed) and removes them: detached from the proxy, then deleted. Only disks carrying
 * both this backend's marker and this proxy's id are touched, so another proxy's disks in the same
 * project are left alone.
 */
final class Leftovers {

    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);

    private final HcsApi api;
    private final HcsSettings settings;

    Leftovers(HcsApi api, HcsSettings settings) {
        this.api = api;
        this.settings = settings;
    }

    static boolean temporary(JsonNode volume, HcsSettings settings) {
        return volume.path("name").asText().startsWith(TemporaryDisk.NAME_PREFIX)
                && settings.name().equals(volume.path("metadata").path(TemporaryDisk.MARKER).asText());
    }

    private boolean ours(JsonNode volume) {
        return temporary(volume, settings)
                && settings.proxyServerId().equals(volume.path("metadata").path(TemporaryDisk.PROXY).asText());
    }

    /** One line per disk: what was found and what was done. */
    List<String> remove() {
        List<String> done = new ArrayList<>();
        for (JsonNode volume : api.volumes()) {
            if (!ours(volume)) {
                continue;
            }
            String id = volume.path("id").asText();
            String what = "temporary disk " + volume.path("name").asText() + " (" + id + ", "
                    + volume.path("status").asText() + ")";
            try {
                boolean attached = false;
                for (JsonNode attachment : volume.path("attachments")) {
                    if (settings.proxyServerId().equals(attachment.path("server_id").asText())) {
                        String job = api.detach(settings.proxyServerId(), id);
                        if (job != null) {
                            api.awaitJob(HcsApi.Service.ECS, job, "detaching the leftover " + what);
                        }
                        attached = true;
                    }
                }
                String job = api.deleteVolume(id);
                if (job != null) {
                    api.awaitJob(HcsApi.Service.EVS, job, "deleting the leftover " + what);
                }
                done.add(what + ": " + (attached ? "detached from the proxy and deleted" : "deleted"));
            } catch (RuntimeException e) {
                // one disk that cannot go now must not keep the others, or the start, from going on
                LOG.warn("HCS backend {}: could not remove the leftover {}: {}", settings.name(), what, e.getMessage());
                done.add(what + ": not removed (" + e.getMessage() + "); tried again at the next start");
            }
        }
        return done;
    }
}
