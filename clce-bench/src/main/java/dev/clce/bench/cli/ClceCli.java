package dev.clce.bench.cli;

import dev.clce.bench.protocol.Provenance;
import dev.clce.bench.train.NonFiniteException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code ./clce} command-line tool.
 *
 * <p>Each sub-command is its own class, listed in {@code subcommands} below. Sub-commands write their
 * results with {@code spec.commandLine().getOut()}: the process's real standard output. Everything
 * else that reaches {@link System#out} while a command runs (ND4J and SameDiff print progress there)
 * is sent to standard error, so that {@code --json} output can be piped to a JSON parser, less
 * SameDiff's gradient-building lines ({@link QuietConsole}).
 *
 * <p>Exit codes: 0 success, 1 failure while running, 2 bad input (usage errors and rejected
 * arguments, with one line naming the argument).
 */
@Command(
    name = "clce",
    mixinStandardHelpOptions = true,
    versionProvider = ClceCli.BuildVersion.class,
    description = "CLCE losses, encoders, training and the paper's experiments on the JVM.",
    subcommands = {
        CommandLine.HelpCommand.class,
        LossCommand.class,
        LossBenchCommand.class,
        ModelCommand.class,
        DataCommand.class,
        TrainCommand.class,
        EvalCommand.class,
        FewShotCommand.class,
        PerfCommand.class,
        BenchCommand.class,
    })
public final class ClceCli implements Runnable {

  /** Exit code for bad input: a usage error or an argument that was refused. */
  public static final int EXIT_BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * {@code --version}: the version Maven built this as, not a literal that can drift from the pom,
   * and the ND4J native build on the class path (CPU classifier or CUDA), so a user sees which backend
   * a build with {@code CLCE_MVN_ARGS} really runs.
   */
  static final class BuildVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"clce " + Provenance.clceVersion() + " (DL4J/ND4J " + Provenance.nd4jBuildVersion() + ")",
          "ND4J build: " + Provenance.nd4jBuild()};
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Builds the picocli command line with the exit-code conventions of this tool.
   *
   * @param out where results go (the real standard output)
   * @param err where errors go
   * @return the configured command line
   */
  public static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new ClceCli());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setParameterExceptionHandler((ex, args) -> {
      // One line naming the option (picocli's messages do), not the whole usage text.
      ex.getCommandLine().getErr().println("error: " + String.valueOf(ex.getMessage()).replace('\n', ' ') + " (see --help)");
      ex.getCommandLine().getErr().flush();
      return EXIT_BAD_INPUT;
    });
    // ParameterException (usage errors: missing or unparsable options) goes through this mapper too.
    cmd.setExitCodeExceptionMapper(ex ->
        ex instanceof IllegalArgumentException || ex instanceof CommandLine.ParameterException ? EXIT_BAD_INPUT : 1);
    cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof IllegalArgumentException) {
        commandLine.getErr().println("error: " + ex.getMessage());
        commandLine.getErr().flush();
        return EXIT_BAD_INPUT;
      }
      // Faults of a run, not of its input: a diverged step, a file that could not be written. Their
      // messages name the step or the file; a stack trace would add nothing for the user.
      if (ex instanceof NonFiniteException || ex instanceof UncheckedIOException) {
        commandLine.getErr().println("error: " + ex.getMessage());
        commandLine.getErr().flush();
        return 1;
      }
      throw ex;
    });
    return cmd;
  }

  /**
   * Runs the tool with the given streams: results go to {@code stdout}; everything else that
   * reaches {@link System#out} while the command runs goes to {@code stderr}, without SameDiff's
   * gradient-building prints ({@link QuietConsole}). System.out is restored afterwards.
   *
   * @param args command-line arguments
   * @param stdout the real standard output
   * @param stderr standard error
   * @param dropped counts the lines kept off the console
   * @return the exit code
   */
  static int run(String[] args, PrintStream stdout, PrintStream stderr, AtomicLong dropped) {
    PrintStream before = System.out;
    System.setOut(QuietConsole.filtering(stderr, dropped));
    try {
      PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
      PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
      int code = newCommandLine(out, err).execute(args);
      out.flush();
      err.flush();
      return code;
    } finally {
      System.out.flush();
      System.setOut(before);
    }
  }

  /**
   * Runs the tool.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, new AtomicLong()));
  }
}
