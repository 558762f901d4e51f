"""SCORM run-time: the data models of 1.2 and 2004 (server-side validation), attempts and tracking."""
