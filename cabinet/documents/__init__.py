"""Quality certificates and shipping documents, their PDFs and the public QR trace page (002)."""
