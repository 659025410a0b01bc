"""The therapist's pages: patients, the program editor, the preview, the handout
downloads and the practice's access log. Every page that touches a patient's
record finds it through `access`."""
