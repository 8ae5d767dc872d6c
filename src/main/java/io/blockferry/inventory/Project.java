package io.blockferry.inventory;

/** A Keystone project and its domain; names are null where Keystone would not show them. */
public record Project(String id, String name, String domainId, String domainName) {
}
