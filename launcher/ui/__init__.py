"""The Qt user interface: main window, models, dialogs, tray. Only this layer imports Qt."""
