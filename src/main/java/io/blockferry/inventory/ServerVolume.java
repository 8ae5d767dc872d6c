package io.blockferry.inventory;

/** A volume attached to a server, with the device name the guest sees (null if Cinder did not say). */
public record ServerVolume(String volumeId, String device) {
}
