import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.codelibs.opensearch.runner.node.OpenSearchRunnerNode;
import org.opensearch.analysis.common.CommonAnalysisModulePlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasModulePlugin;
import org.opensearch.index.reindex.ReindexModulePlugin;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessModulePlugin;
import org.opensearch.transport.Netty4ModulePlugin;

/**
 * One OpenSearch node in this JVM, from the jars published to Maven Central, with the modules
 * a distribution loads that logpipe touches. Arguments: home directory, HTTP port, then
 * key=value node settings, and keep-home to keep the data for a restart. The node stops, and the home directory is deleted, when standard
 * input closes: the process that started it ended, however it ended.
 */
public class OpenSearchNode {
  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    Settings.Builder settings = Settings.builder()
        .put("path.home", home.toString())
        .put("path.data", home.resolve("data").toString())
        .put("path.logs", home.resolve("logs").toString())
        .put("cluster.name", "logpipe-test")
        .put("node.name", "opensearch-1")
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
      settings.put(pair[0], pair[1]);
    }
    Files.createDirectories(home.resolve("config"));
    LogConfigurator.configureWithoutConfig(settings.build());
    Environment environment = new Environment(settings.build(), home.resolve("config"));
    Node node = new OpenSearchRunnerNode(environment, List.of(
        Netty4ModulePlugin.class, MapperExtrasModulePlugin.class, CommonAnalysisModulePlugin.class,
        ReindexModulePlugin.class, PainlessModulePlugin.class));
    boolean deleteHome = !keepHome;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> EngineHome.stop(node, home, deleteHome)));
    node.start();
    System.out.println("node started");
    EngineHome.waitForStdinToClose();
    System.exit(0);
  }
}
