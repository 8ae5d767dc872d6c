package io.blockferry.ops.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest (Implementation-Version, from the pom). */
final class Version implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {"Blockferry " + (version == null ? "(built from source, no jar manifest)" : version)};
    }
}
