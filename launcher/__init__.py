"""Meeting Launcher: every meeting from every account in one place, checked before you join."""

__version__ = "0.1.0"
APP_ID = "dev.meetinglauncher.MeetingLauncher"
APP_NAME = "Meeting Launcher"
