<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/">
    <dataset><entities><entity id="person-x"><kind>person</kind><name><xsl:value-of select="document('/etc/hostname')"/></name></entity></entities></dataset>
  </xsl:template>
</xsl:stylesheet>
