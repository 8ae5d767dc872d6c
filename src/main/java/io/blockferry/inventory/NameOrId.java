package io.blockferry.inventory;

/** A Keystone project or domain as openrc names it: by name (OS_*_NAME) or by id (OS_*_ID). */
public record NameOrId(String value, boolean isId) {

    public NameOrId {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a name or id must not be empty");
        }
    }

    public static NameOrId name(String name) {
        return new NameOrId(name, false);
    }

    public static NameOrId id(String id) {
        return new NameOrId(id, true);
    }

    @Override
    public String toString() {
        return isId ? "id " + value : value;
    }
}
