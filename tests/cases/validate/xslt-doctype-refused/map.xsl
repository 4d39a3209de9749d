<?xml version="1.0" encoding="UTF-8"?>
<!-- Maps a roster of members and groups to a dossier dataset. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" encoding="UTF-8"/>
  <xsl:template match="/roster">
    <dataset>
      <entities>
        <xsl:for-each select="member">
          <entity id="person-{@ref}">
            <kind>person</kind>
            <name><xsl:value-of select="fullname"/></name>
            <xsl:if test="aka">
              <aliases><xsl:for-each select="aka"><alias><xsl:value-of select="."/></alias></xsl:for-each></aliases>
            </xsl:if>
          </entity>
        </xsl:for-each>
        <xsl:for-each select="group">
          <entity id="org-{@ref}"><kind>organization</kind><name><xsl:value-of select="title"/></name></entity>
        </xsl:for-each>
      </entities>
    </dataset>
  </xsl:template>
</xsl:stylesheet>
