import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What both launchers share: the tie to the parent process and the cleanup of the home. */
final class EngineHome {
  private EngineHome() {}

  /** Returns when standard input ends: the parent closed it or died. */
  static void waitForStdinToClose() throws IOException {
    byte[] buffer = new byte[256];
    while (System.in.read(buffer) != -1) {
      // nothing is read from the parent; only the end of the stream matters
    }
  }

  static void stop(Closeable node, Path home, boolean deleteHome) {
    try {
      node.close();
    } catch (Exception e) {
      System.err.println("closing the node failed: " + e);
    }
    if (!deleteHome) return;
    try (Stream<Path> paths = Files.walk(home)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("removing " + home + " failed: " + e);
    }
  }
}
