console.error("not implemented yet"); process.exitCode = 1;
