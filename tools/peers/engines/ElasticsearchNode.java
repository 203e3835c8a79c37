import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginsLoader;

/**
 * One Elasticsearch node in this JVM, from the jars published to Maven Central: the server and
 * the transport-netty4 module (HTTP), plus {@link RootInfoPlugin} for `GET /`, whose module
 * (rest-root) is not published. Arguments: home directory, HTTP port, then
 * module.name=PluginClass:jar1,jar2 entries, key=value node settings, and keep-home to keep the
 * data for a restart. The node stops, and the home directory is deleted, when standard input
 * closes: the process that started it ended, however it ended.
 */
public class ElasticsearchNode {
  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    Settings.Builder settings = Settings.builder()
        .put("path.home", home.toString())
        .put("path.data", home.resolve("data").toString())
        .put("path.logs", home.resolve("logs").toString())
        .put("cluster.name", "logpipe-test")
        .put("node.name", "elasticsearch-1")
        .put("network.host", "127.0.0.1")
        .put("http.port", args[1])
        .put("transport.port", "0")
        .put("discovery.type", "single-node")
        .put("cluster.routing.allocation.disk.threshold_enabled", false);
    boolean keepHome = false;
    for (int i = 2; i < args.length; i++) {
      if (args[i].equals("keep-home")) {
        keepHome = true;
        continue;
      }
      String[] pair = args[i].split("=", 2);
      if (pair[0].startsWith("module.")) {
        installModule(home, pair[0].substring("module.".length()), pair[1]);
      } else {
        settings.put(pair[0], pair[1]);
      }
    }
    Files.createDirectories(home.resolve("config"));
    LogConfigurator.configureESLogging();
    LogConfigurator.configureWithoutConfig(settings.build());
    Environment environment = new Environment(settings.build(), home.resolve("config"));
    // Classpath server (no module layer): the modules load as plain plugins in their own loaders.
    PluginsLoader plugins = PluginsLoader.createPluginsLoader(
        PluginsLoader.loadModulesBundles(environment.modulesDir(), true), Set.of(), Map.of(), false);
    Node node = new Node(environment, plugins);
    boolean deleteHome = !keepHome;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> EngineHome.stop(node, home, deleteHome)));
    node.start();
    System.out.println("node started");
    EngineHome.waitForStdinToClose();
    System.exit(0);
  }

  /** modules/<name>/ with the jars (links) and a descriptor naming the plugin class. */
  private static void installModule(Path home, String name, String spec) throws Exception {
    String[] classAndJars = spec.split(":", 2);
    Path dir = Files.createDirectories(home.resolve("modules").resolve(name));
    for (String jar : classAndJars[1].split(",")) {
      Path source = Path.of(jar);
      Path link = dir.resolve(source.getFileName());
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, source);
    }
    String version = org.elasticsearch.Build.current().version();
    Files.writeString(dir.resolve("plugin-descriptor.properties"), String.join("\n", List.of(
        "description=" + name, "version=" + version, "name=" + name, "java.version=21",
        "elasticsearch.version=" + version, "classname=" + classAndJars[0], "")));
  }
}
