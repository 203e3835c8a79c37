/**
 * Imported first by every command of tools/: AWS SDK v3 prints a nine-line warning on
 * Node < 22 for the first client a process creates, noise on every run of a command that
 * reaches AWS on the machine's Node 20 (README "Start here"). The SDK reads the variable when a
 * client is created; child processes (`sls print`) inherit it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
