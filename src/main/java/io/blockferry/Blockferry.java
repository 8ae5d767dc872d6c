package io.blockferry;

import io.blockferry.ops.cli.Cli;

/** The {@code blockferry} command: its subcommands are in {@code io.blockferry.ops.cli} ({@code blockferry --help}). */
public final class Blockferry {

    private Blockferry() {
    }

    public static void main(String[] args) {
        System.exit(Cli.standard().execute(args));
    }
}
