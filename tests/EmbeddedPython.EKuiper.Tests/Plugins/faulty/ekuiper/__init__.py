# A copy of the SDK bundled in the plugin folder (eKuiper's own test zips do this): the host's package must win.
raise ImportError("the plugin's bundled ekuiper copy was imported instead of the host's")
