package io.blockferry.access;

import java.nio.file.Path;

/**
 * One filesystem of a browse session: a partition (p1, p2, ...) or the whole disk (disk).
 *
 * @param mount where it is mounted read-only, or null when it could not be (then error says why)
 */
record BrowsePart(String name, String device, String filesystem, long size, Path mount, String error) {
}
