package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.events.Causes;
import java.io.IOException;

/**
 * How an EVS disk or snapshot names its Dorado LUN (spec §2.4): {@code lun_id} and {@code sn} in a
 * JSON string inside the JSON ({@code driver_data}, {@code provider_auth}), checked against the
 * array logged in to and, for a disk, against the WWN EVS shows.
 */
final class LunLink {

    private final DoradoSession dorado;
    private final HcsSettings settings;

    LunLink(DoradoSession dorado, HcsSettings settings) {
        this.dorado = dorado;
        this.settings = settings;
    }

    /** A disk's LUN, checked: its WWN must be the one EVS shows, on the array logged in to. */
    JsonNode lunOfDisk(JsonNode volume, String what) {
        String lunId = lunId(volume.path("os-volume-replication:driver_data"), what);
        JsonNode lun = dorado.get("lun/" + lunId, "reading the LUN of " + what);
        String wwn = volume.path("metadata").path("lun_wwn").asText("");
        if (!wwn.isEmpty() && !wwn.equalsIgnoreCase(lun.path("WWN").asText())) {
            throw new HcsException("LUN " + lunId + " of " + what + " has WWN " + lun.path("WWN").asText() + ", not "
                    + wwn + " as EVS says: blockferry.backends." + settings.name() + ".dorado-url may point at "
                    + "another array", Causes.CONFIGURATION_INVALID);
        }
        return lun;
    }

    /** {@code lun_id} of a JSON string in JSON, its {@code sn} checked against the array's. */
    String lunId(JsonNode text, String what) {
        JsonNode parsed;
        try {
            parsed = HcsHttp.JSON.readTree(text.asText(""));
        } catch (IOException e) {
            parsed = null;
        }
        String lunId = parsed == null ? "" : parsed.path("lun_id").asText("");
        if (lunId.isEmpty()) {
            throw new HcsException(what + " names no Dorado LUN (driver_data/provider_auth without lun_id): it is "
                    + "not on an OceanStor Dorado array", Causes.HCS_ERROR);
        }
        String sn = parsed.path("sn").asText("");
        if (!sn.isEmpty() && !sn.equals(dorado.deviceId())) {
            throw new HcsException(what + " lives on array " + sn + ", but blockferry.backends." + settings.name()
                    + ".dorado-url logs in to array " + dorado.deviceId(), Causes.CONFIGURATION_INVALID);
        }
        return lunId;
    }
}
